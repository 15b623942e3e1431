#!/usr/bin/env bash
# Make sure the headless Chromium the browser tests drive is installed (Debian's `chromium` package).
# Playwright's own browser download is never used: the tests launch /usr/bin/chromium through its
# executable_path, so a fresh machine needs only this package and the `dev` extra's Playwright wheel.
set -euo pipefail
browser=${QBR_CHROMIUM:-/usr/bin/chromium}

if [ -x "$browser" ]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "warning: $browser is missing and apt-get is not available; browser tests will be skipped" >&2
    exit 0
fi
as_root=()
if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "warning: $browser is missing and installing it needs root; browser tests will be skipped" >&2
        exit 0
    fi
    as_root=(sudo)
fi
echo "installing Debian's chromium for the browser tests"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null

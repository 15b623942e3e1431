"""The toolkit every endpoint uses: dependencies, listing and CSV output, parameters, problem+json types."""

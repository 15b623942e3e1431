"""Plain-language descriptions of the built-in metrics and KPIs: what each measures, why it matters, what a good
value is and where that range comes from (reference/METRICS.md). Shown on demand on the pages and in the glossary
of the report, in place of formulas, so a client can read them without knowing how the figures are computed."""

from __future__ import annotations

# Where the good ranges come from: published MSP industry references, as summarised in reference/METRICS.md.
_SOURCE = "published MSP industry benchmarks (TruMethods and MSP coaching material)"

_METRICS: dict[str, str] = {
    "Reactive Tickets Created": "How many support requests (something broke or needed fixing) were opened. Fewer "
    "is better: a well-maintained environment needs less fixing. There is no universal target; compare it with "
    "the number of devices and with earlier periods.",
    "Reactive Tickets Closed": "How many support requests were resolved. It should keep pace with the requests "
    "opened, so that nothing piles up.",
    "Reactive Hours": "Hours our technicians spent fixing problems, as opposed to planned work. Fewer is better: "
    "it means fewer interruptions for your staff.",
    "Tickets Met SLA": "Resolved requests that were answered and handled within the agreed service level.",
    "Tickets With SLA": "Resolved requests covered by an agreed service level (the basis of SLA compliance).",
    "Managed Services Agreements": "Active managed-services agreements at month end (a monthly average for a quarter).",
    "New Agreements": "Agreements signed in the period.",
    "New MRR": "Monthly billing added by agreements that started in the period.",
    "Lost MRR": "Monthly billing lost to agreements that were cancelled or ended in the period.",
    "Endpoints Managed": "Devices we look after (servers, workstations, virtual machine hosts) at month end; for a "
    "quarter, the monthly average. It is the size of the environment the other figures are measured against.",
    "Seats Managed": "User workstations we look after at month end; for a quarter, the monthly average.",
    "Patch Compliant Devices": "Devices with every critical operating-system update installed (none failed or "
    "waiting). More is better; see Patch Compliance % for the share.",
    "Unhealthy Devices": "Devices our monitoring flags as unhealthy (for example a failing disk or a stopped "
    "service) at month end. Fewer is better; ideally none.",
    "Patches Installed": "Operating-system updates installed on your devices in the period.",
    "Patches Failed": "Operating-system updates that failed to install. Fewer is better: each failure leaves a "
    "device exposed until it is retried.",
    "Backup Jobs Succeeded": "Backups that completed successfully in the period.",
    "Backup Jobs Total": "Backups that ran in the period (the basis of Backup Success %).",
    "Monthly Recurring Revenue": "Revenue from recurring managed-services agreements, as booked each month; a "
    "quarter shows the three months' total.",
    "Non-Recurring Revenue": "Project and time-and-materials income; can be negative after credits.",
    "Other Recurring Revenue": "Recurring income outside managed-services agreements.",
    "Product Sales": "Hardware and software resold.",
    "Miscellaneous Revenue": "Other income.",
    "Employee Expense": "Payroll and benefits.",
    "Owner Compensation": "What the owners pay themselves.",
    "Owner Comp Taxes": "Owner compensation set aside for quarterly estimated taxes.",
    "Product COGS": "What the resold hardware and software cost.",
    "Other Expenses": "Every other operating expense.",
    "Employees": "Full-time equivalents on staff (a monthly average for a quarter; may be fractional).",
    "Technical Employees": "Technician full-time equivalents (a monthly average for a quarter).",
    "Telemarketing Dials": "Outbound sales calls made.",
    "First Time Appointments": "First meetings held with prospects.",
    "Prospects to Hit PBR": "Prospects brought to a pre-budget review.",
}

_KPIS: dict[str, str] = {
    "Reactive Tickets per Tech per Month": "Support requests resolved per technician per month: how much fixing "
    "each technician handles. There is no fixed target; a rising figure means the team is stretched.",
    "Total Close %": "Support requests resolved as a share of those opened. Around 100% means requests are "
    "handled as fast as they arrive; above 100% a backlog is shrinking, well below it one is growing. A good "
    f"range is 95–105%, from {_SOURCE}.",
    "Reactive Tickets per Endpoint per Month": "Support requests opened per device per month: how often things "
    "break, whatever the size of the environment. Lower is better.",
    "RHEM": "Reactive Hours per Endpoint per Month: the hours spent fixing problems for each device each month. "
    "It is the clearest single measure of how stable an environment is. Lower is better; under 0.25 hours is "
    f"good and above 0.40 needs action, from {_SOURCE}.",
    "Average Resolution Time": "Hours of technician work per resolved support request: how much effort a typical "
    "problem takes. Lower is better.",
    "Reactive Service %": "The share of technician time spent fixing problems rather than on planned work (167 "
    "working hours a month per technician). Lower is better.",
    "Total Revenue": "All income: recurring, project, product and other revenue.",
    "Total Expenses": "All expenses: payroll, owner pay, product costs and other operating costs.",
    "Net Profit": "Total revenue less total expenses.",
    "Profit Margin": "Net profit as a share of total revenue. Higher is better: about 10% is average and 25% or "
    f"more world class, from {_SOURCE}; below 5% is critical.",
    "% Revenue from Services": "The share of revenue that comes from services (recurring and project) rather "
    "than product resale. Higher is better: services carry better margins.",
    "% Services from MRR": "The share of service revenue that is recurring. Higher is better: recurring revenue "
    "is predictable.",
    "Annualized Service Revenue per Employee": "Service revenue per employee, on a yearly basis. Higher is better.",
    "Annualized Service Revenue per Tech": "Service revenue per technician, on a yearly basis. Higher is better.",
    "AISP": "All-in seat price: recurring revenue per user workstation per month. About $100 is average and "
    f"$130–160 world class, from {_SOURCE}; below $75 is critical.",
    "Average MRR per Agreement": "Recurring revenue per managed-services agreement per month. About $2,000 is "
    f"average and $3,500 or more world class, from {_SOURCE}.",
    "New MRR Added": "Monthly billing added by new agreements in the period.",
    "Lost MRR (Churn)": "Monthly billing lost to cancelled or ended agreements in the period. Lower is better.",
    "Net MRR Gain": "Monthly billing added less monthly billing lost in the period.",
    "Dials per Appointment": "Sales calls needed for one first appointment. Lower is better.",
    "Sales Close %": "New agreements as a share of first appointments. Higher is better.",
    "SLA Compliance %": "The share of resolved support requests handled within the agreed service level. Higher "
    f"is better: above 95% is best in class, from {_SOURCE}; below 90% is critical.",
    "Patch Compliance %": "The share of devices with every critical operating-system update installed. Unpatched "
    "devices are the most common way attackers get in. Higher is better: 95% or more is our target, below 85% "
    "is critical (defaults chosen from common security baselines; your MSP may tune them).",
    "Backup Success %": "The share of backups that completed successfully. A failed backup is data that could "
    "not be restored after a loss. Higher is better: 98% or more is our target, below 95% is critical "
    "(defaults your MSP may tune).",
}

PLAIN_DESCRIPTIONS: dict[str, str] = {**_METRICS, **_KPIS}

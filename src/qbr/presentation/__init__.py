"""How numbers, changes and statuses are written for people: shared by the web pages and the PDF report."""

"""The MSP's brand: name, logo, colours, contact line and footer, applied to pages, the PDF, the deck and e-mail."""

"""The intake screens: contacts, the report form, lists and details, the public pages, volunteers."""

"""What a family types, read into the registry's words."""

"""Reading and checking the bulletins folder: files, YAML, blocks, values, units, dates, links."""

"""The `bulletins` command line: new, check, due, publish, verify."""

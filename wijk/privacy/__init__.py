"""Privacy as code: the retention schedule (and, later, the generated statement)."""

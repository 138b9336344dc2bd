"""HTTP routes, their dependencies and the error handler."""

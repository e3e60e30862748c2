"""Read-only SQL over the latest version of every dataset a person may see, in a sandbox, and
the queries people keep to run again."""

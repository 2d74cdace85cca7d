"""Admin subcommands of /oke: parsing (commands), running them (run) and their answers (messages)."""

"""okebot's engine: the OKE network model, capacity, validation and CNI status. Pure: no I/O."""

"""The custody board: open detainers by nearest hold deadline, with quick actions."""

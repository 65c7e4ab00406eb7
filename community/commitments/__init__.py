"""Commitments made at an event or a committee meeting, tracked to done: owner, due, status, evidence."""

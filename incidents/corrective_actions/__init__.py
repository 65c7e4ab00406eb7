"""Corrective actions a case calls for, each with an owner and a due date, tracked to done."""

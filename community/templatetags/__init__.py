"""Template tags of the community pages: the commitments panel an event or meeting page shows."""

"""The steering committee: requirement per agreement, members and terms, meetings, quorum, minutes, decisions."""

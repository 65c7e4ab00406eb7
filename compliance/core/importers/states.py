"""U.S. states and territories: full name → USPS code and a default time zone.

ICE's list of participating agencies names states in full capitals ("NORTH
CAROLINA"); we store the two-letter USPS code. The time zone is only the
starting value for a newly imported agency: it is the zone most of the state
uses, and several states span two zones (e.g. El Paso in Texas, the Florida
panhandle, western Kentucky). An agency administrator corrects it where needed.
"""

# name (upper case) → (USPS code, IANA zone of most of the state)
STATES: dict[str, tuple[str, str]] = {
    "ALABAMA": ("AL", "America/Chicago"),
    "ALASKA": ("AK", "America/Anchorage"),
    "ARIZONA": ("AZ", "America/Phoenix"),
    "ARKANSAS": ("AR", "America/Chicago"),
    "CALIFORNIA": ("CA", "America/Los_Angeles"),
    "COLORADO": ("CO", "America/Denver"),
    "CONNECTICUT": ("CT", "America/New_York"),
    "DELAWARE": ("DE", "America/New_York"),
    "DISTRICT OF COLUMBIA": ("DC", "America/New_York"),
    "FLORIDA": ("FL", "America/New_York"),
    "GEORGIA": ("GA", "America/New_York"),
    "HAWAII": ("HI", "Pacific/Honolulu"),
    "IDAHO": ("ID", "America/Boise"),
    "ILLINOIS": ("IL", "America/Chicago"),
    "INDIANA": ("IN", "America/Indiana/Indianapolis"),
    "IOWA": ("IA", "America/Chicago"),
    "KANSAS": ("KS", "America/Chicago"),
    "KENTUCKY": ("KY", "America/New_York"),
    "LOUISIANA": ("LA", "America/Chicago"),
    "MAINE": ("ME", "America/New_York"),
    "MARYLAND": ("MD", "America/New_York"),
    "MASSACHUSETTS": ("MA", "America/New_York"),
    "MICHIGAN": ("MI", "America/Detroit"),
    "MINNESOTA": ("MN", "America/Chicago"),
    "MISSISSIPPI": ("MS", "America/Chicago"),
    "MISSOURI": ("MO", "America/Chicago"),
    "MONTANA": ("MT", "America/Denver"),
    "NEBRASKA": ("NE", "America/Chicago"),
    "NEVADA": ("NV", "America/Los_Angeles"),
    "NEW HAMPSHIRE": ("NH", "America/New_York"),
    "NEW JERSEY": ("NJ", "America/New_York"),
    "NEW MEXICO": ("NM", "America/Denver"),
    "NEW YORK": ("NY", "America/New_York"),
    "NORTH CAROLINA": ("NC", "America/New_York"),
    "NORTH DAKOTA": ("ND", "America/Chicago"),
    "OHIO": ("OH", "America/New_York"),
    "OKLAHOMA": ("OK", "America/Chicago"),
    "OREGON": ("OR", "America/Los_Angeles"),
    "PENNSYLVANIA": ("PA", "America/New_York"),
    "RHODE ISLAND": ("RI", "America/New_York"),
    "SOUTH CAROLINA": ("SC", "America/New_York"),
    "SOUTH DAKOTA": ("SD", "America/Chicago"),
    "TENNESSEE": ("TN", "America/Chicago"),
    "TEXAS": ("TX", "America/Chicago"),
    "UTAH": ("UT", "America/Denver"),
    "VERMONT": ("VT", "America/New_York"),
    "VIRGINIA": ("VA", "America/New_York"),
    "WASHINGTON": ("WA", "America/Los_Angeles"),
    "WEST VIRGINIA": ("WV", "America/New_York"),
    "WISCONSIN": ("WI", "America/Chicago"),
    "WYOMING": ("WY", "America/Denver"),
    "PUERTO RICO": ("PR", "America/Puerto_Rico"),
    "GUAM": ("GU", "Pacific/Guam"),
    "U.S. VIRGIN ISLANDS": ("VI", "America/St_Thomas"),
    "AMERICAN SAMOA": ("AS", "Pacific/Pago_Pago"),
    "NORTHERN MARIANA ISLANDS": ("MP", "Pacific/Saipan"),
}

_BY_CODE = {code: (code, zone) for code, zone in STATES.values()}


def state_lookup(value: str) -> tuple[str, str] | None:
    """``(USPS code, default zone)`` for a state given by name or code, any case; None if unknown."""
    key = " ".join(value.split()).upper()
    return STATES.get(key) or _BY_CODE.get(key)

"""The fair waitlist: freed capacity offered to waiting owners in first-come order."""

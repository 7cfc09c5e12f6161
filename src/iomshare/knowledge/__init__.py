"""What the partnership knows about itself: organisation profiles, a skills directory, practice notes."""

"""Many inputs: plan them, skip what the manifest shows up to date, render the rest, summarise."""

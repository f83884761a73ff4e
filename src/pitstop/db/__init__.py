"""Engine, sessions and unit of work, base model, migrations."""

"""Pure computation engines: frozen dataclasses in, a result out; no database, web or I/O."""

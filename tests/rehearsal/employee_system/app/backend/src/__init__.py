"""The Employee Management System's backend (the rehearsal's stand-in of it)."""

"""What every step's process shares: logging, signals, threads, devices."""

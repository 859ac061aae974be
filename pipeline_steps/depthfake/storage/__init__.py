"""Files and folders written atomically and read with errors naming them: tables, JSON, HDF5,
skip records, digests."""

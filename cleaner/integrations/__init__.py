"""Adapters that run cleaner inside data-processing engines (datatrove, Dask).

Each module imports its engine, so import the one you need; the core never imports these.
"""

#!/usr/bin/env python3
"""Bytes a page needs before it renders, ours against plain Pelican (rebalance/weight.py)."""

from rebalance.weight import main

if __name__ == "__main__":
    main()

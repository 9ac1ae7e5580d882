#!/usr/bin/env python3
"""Lighthouse scores of our pages against plain Pelican's (the code: rebalance/lighthouse.py)."""

from rebalance.lighthouse import main

if __name__ == "__main__":
    main()

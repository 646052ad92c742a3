"""What families read: plain words, flags, comparisons, handouts, maps, exports."""

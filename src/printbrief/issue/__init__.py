"""Whole issues: load an issue file, plan its pages, render and cache its articles, compile one PDF."""

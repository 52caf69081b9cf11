"""Issuer gateway (J-LIS) and its SIMULATION, the only stand-in in madoguchi's tests."""

"""Verification: bit-exact models of a design (symtrig's own models, da4ml's interpreter, Verilator, g++).

Every fixed-point AUC symtrig reports comes from one of these models on the whole test split; a test checks that
they agree bit for bit with what the compilers build.
"""

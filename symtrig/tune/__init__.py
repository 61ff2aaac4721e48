"""The tune stage: precision searches between lower and write (select → lower → tune → write → verify → cost).

Each search is handed the backend's bit-exact model as a function and measures candidate types on it by the
AUC rule of :mod:`symtrig.lower.tolerance`; neither it nor :mod:`symtrig.lower` imports :mod:`symtrig.verify` or
:mod:`symtrig.backends`, so the stages import one another in pipeline order only. The flows of
:mod:`symtrig.emit` wire a backend's model into its search.

* :mod:`symtrig.tune.single_type`: one ``ap_fixed<W,I>`` for a whole design (hls4ml).
* :mod:`symtrig.tune.node_types`: a fixed-point type per node (da4ml).
"""

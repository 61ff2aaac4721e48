"""The teacher: the reference tagger whose scores the symbolic expressions are distilled from.

Two kinds share one interface (:class:`Teacher`): :class:`SklearnTeacher`, the anchor work's 16→64→32→32→5 ReLU
network trained here (:mod:`~symtrig.teacher.training`) and saved with skops (:mod:`~symtrig.teacher.storage`),
and :class:`OnnxTeacher`, any tagger trained elsewhere (:mod:`~symtrig.teacher.onnx`). Inputs are the
*standardized* features ``(x - mean) / scale`` in :data:`symtrig.data.FEATURES` order; outputs are ``(n, 5)``
arrays in :data:`symtrig.data.CLASSES` order. :mod:`~symtrig.teacher.reuse` decides which teacher a fit distils.
"""

from symtrig.teacher.matching import TeacherMatch, require_matching_teacher, teacher_matches_data
from symtrig.teacher.model import HIDDEN_LAYERS, SklearnTeacher, Teacher, centre
from symtrig.teacher.onnx import OnnxTeacher, OutputKind
from symtrig.teacher.reuse import obtain_teacher, reusable_teacher, teacher_fingerprint
from symtrig.teacher.storage import CARD_FILE, DEFAULT_TEACHER_DIR, MODEL_FILE, load_teacher, save_teacher
from symtrig.teacher.training import evaluate_teacher, make_card, train_teacher

__all__ = [
    "CARD_FILE",
    "DEFAULT_TEACHER_DIR",
    "HIDDEN_LAYERS",
    "MODEL_FILE",
    "OnnxTeacher",
    "OutputKind",
    "SklearnTeacher",
    "Teacher",
    "TeacherMatch",
    "centre",
    "evaluate_teacher",
    "load_teacher",
    "make_card",
    "obtain_teacher",
    "require_matching_teacher",
    "reusable_teacher",
    "save_teacher",
    "teacher_fingerprint",
    "teacher_matches_data",
    "train_teacher",
]

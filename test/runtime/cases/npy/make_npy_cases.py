#!/usr/bin/env python3
"""Writes the tiny NumPy-made .npy files that test/runtime/npy.test.ts reads.

Run from anywhere with a Python that has NumPy (any 1.2x or 2.x):
    python3 test/runtime/cases/npy/make_npy_cases.py
The test asserts the exact values written here, so change both together.
"""
import io
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, array, version=None):
    path = os.path.join(HERE, name)
    with open(path, "wb") as f:
        # np.save picks version 1.0; write_array lets us force 2.0 and 3.0.
        np.lib.format.write_array(f, np.asanyarray(array), version=version, allow_pickle=False)


# Supported dtypes, little-endian, C order.
save("f4_2x3.npy", (np.arange(6, dtype="<f4").reshape(2, 3) * 0.5 - 1))          # [-1 -0.5 0 0.5 1 1.5]
save("f8_3.npy", np.array([0.1, -2.5, 1e40], dtype="<f8"))                       # 1e40 overflows float32
save("f2_3.npy", np.array([0.5, -65504.0, 2.0**-24], dtype="<f2"))               # max half, smallest subnormal
save("i4_4.npy", np.array([-2147483648, -1, 0, 2147483647], dtype="<i4"))
save("i8_2x2.npy", np.array([[-3, 0], [2147483647, 7]], dtype="<i8"))
save("i8_overflow.npy", np.array([1, 2147483648], dtype="<i8"))                  # 2^31 does not fit int32
save("u1_5.npy", np.array([0, 1, 127, 128, 255], dtype="u1"))
save("b1_2x2.npy", np.array([[True, False], [False, True]]))
save("f4_0d.npy", np.array(3.25, dtype="<f4"))                                    # shape ()
save("f4_4d.npy", np.arange(2 * 3 * 4 * 5, dtype="<f4").reshape(2, 3, 4, 5) * 0.25)
save("f4_empty.npy", np.zeros((0, 3), dtype="<f4"))
# Big-endian: converted on reading.
save("f4_be.npy", np.array([1.5, -2.0, 0.003], dtype=">f4"))
save("i8_be.npy", np.array([-5, 6], dtype=">i8"))
# Versions 2.0 (uint32 header length) and 3.0 (UTF-8 header) of f4_2x3.
save("f4_2x3_v2.npy", np.arange(6, dtype="<f4").reshape(2, 3) * 0.5 - 1, version=(2, 0))
save("f4_2x3_v3.npy", np.arange(6, dtype="<f4").reshape(2, 3) * 0.5 - 1, version=(3, 0))
# Rejected: Fortran order, and dtypes the runtime has no use for.
save("f4_fortran.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
save("c8_2.npy", np.array([1 + 2j, 3 - 4j], dtype="<c8"))
save("u2str_2.npy", np.array(["ab", "c"], dtype="<U2"))
save("structured_2.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]))

package org.dtheta.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.dtheta.core.internal.kernel.KernelProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Which implementation runs, and the facade's argument checks. core/pom.xml runs the suite
 * twice and sets {@code dtheta.expectKernels} to what each run must select ("panama" with the
 * Vector API module, "scalar" without), so CI proves both paths ran.
 */
class KernelSelectionTest {

  @Test
  void selectedImplementationIsTheOneThisRunExpects() {
    String expected = System.getProperty("dtheta.expectKernels");
    assumeTrue(expected != null, "dtheta.expectKernels is set by core/pom.xml's surefire runs");
    String name = Kernels.implementation().name();
    String family = name.startsWith("panama-") ? "panama" : name;
    assertEquals(expected, family, "kernels selected in this run (" + name + ")");
    assertEquals(expected.equals("panama"), KernelProvider.panama().isPresent(),
        "Vector API kernels loadable in the '" + expected + "' run");
    String bits = System.getProperty("dtheta.vectorBits");
    if (bits != null && expected.equals("panama")) {
      assertEquals("panama-" + bits, name, "vector width forced by dtheta.vectorBits");
    }
  }

  @Test
  void scalarIsAlwaysAvailable() {
    assertEquals("scalar", KernelProvider.scalar().name());
  }

  private static void assertRejected(String argument, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().matches("^" + argument + "\\b.*"),
        "message should start with '" + argument + "': " + e.getMessage());
  }

  @Test
  void gemmRejectsBadRangesNamingTheArgument() {
    double[] a = new double[6];
    double[] b = new double[6];
    double[] c = new double[4];
    // 2x3 times 3x2 into 2x2 is fine; each case breaks one argument.
    Kernels.gemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2);
    assertRejected("lda", () -> Kernels.gemm(false, false, 2, 2, 3, 1, a, 0, 2, b, 0, 2, 0, c, 0, 2));
    assertRejected("ldb", () -> Kernels.gemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 1, 0, c, 0, 2));
    assertRejected("ldc", () -> Kernels.gemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 1));
    assertRejected("A", () -> Kernels.gemm(false, false, 2, 2, 3, 1, a, 1, 3, b, 0, 2, 0, c, 0, 2));
    assertRejected("B", () -> Kernels.gemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 1, 2, 0, c, 0, 2));
    assertRejected("C", () -> Kernels.gemm(false, false, 2, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 1, 2));
    assertRejected("m", () -> Kernels.gemm(false, false, -1, 2, 3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2));
    assertRejected("k", () -> Kernels.gemm(false, false, 2, 2, -3, 1, a, 0, 3, b, 0, 2, 0, c, 0, 2));
    // A^T: A is stored k x m = 3 x 2, so lda must be at least 2 and the data 6 long.
    Kernels.gemm(true, false, 2, 2, 3, 1, a, 0, 2, b, 0, 2, 0, c, 0, 2);
    assertRejected("lda", () -> Kernels.gemm(true, false, 2, 2, 3, 1, a, 0, 1, b, 0, 2, 0, c, 0, 2));
    assertRejected("aOff", () -> Kernels.gemm(true, false, 2, 2, 3, 1, a, -1, 2, b, 0, 2, 0, c, 0, 2));
  }

  @Test
  void vectorKernelsRejectBadRangesNamingTheArgument() {
    double[] x = new double[5];
    double[] y = new double[5];
    assertRejected("y", () -> Kernels.axpy(5, 1.0, x, 0, y, 1));
    assertRejected("x", () -> Kernels.dot(6, x, 0, y, 0));
    assertRejected("xOff", () -> Kernels.sum(2, x, -1));
    assertRejected("n", () -> Kernels.fill(-1, 0.0, x, 0));
    assertRejected("out", () -> Kernels.sumRowsInto(2, 2, x, 0, 2, y, 4));
    assertRejected("ldx", () -> Kernels.sumColumnsInto(2, 3, x, 0, 2, y, 0));
    assertRejected("rows", () -> Kernels.transpose(-2, 1, x, 0, 1, y, 0, 1));
    assertRejected("m", () -> Kernels.rowDotsRepeated(1, 1, -1, x, 0, y, 0, y, 0));
    assertRejected("order", () -> Kernels.mapDerivative(UnaryFunction.EXP, 3, 1, x, 0, y, 0, y, 0));
  }
}

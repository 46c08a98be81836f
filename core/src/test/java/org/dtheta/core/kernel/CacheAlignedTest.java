package org.dtheta.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CacheAlignedTest {

  /**
   * Every array holds its doubles from START and is long enough to be humongous (the alignment
   * itself is the collector's, which Java cannot observe); memory estimates read the same length.
   */
  @Test
  void arraysHoldTheirDataFromStartAndAreLongEnoughToBeHumongous() {
    for (long doubles : new long[] {0, 1, 1000, CacheAligned.MIN_DOUBLES - CacheAligned.START,
        CacheAligned.MIN_DOUBLES, 3L * CacheAligned.MIN_DOUBLES + 5}) {
      double[] a = CacheAligned.newArray(doubles);
      assertEquals(CacheAligned.length(doubles), a.length, "doubles " + doubles);
      assertTrue(a.length >= CacheAligned.MIN_DOUBLES, "doubles " + doubles);
      assertTrue(a.length >= CacheAligned.START + doubles, "doubles " + doubles);
    }
    assertEquals(CacheAligned.MIN_DOUBLES, CacheAligned.length(1000));
    assertEquals(3L * CacheAligned.MIN_DOUBLES + 5 + CacheAligned.START,
        CacheAligned.length(3L * CacheAligned.MIN_DOUBLES + 5));
    // 16-byte array header + 6 doubles = 64 bytes: the first element on a line after a boundary.
    assertEquals(64, 16 + 8 * CacheAligned.START);
  }

  @Test
  void rowStridesAreWholeCacheLines() {
    // 8 doubles a line: the smallest whole number of lines that holds the row
    int[][] cases = {{1, 8}, {8, 8}, {9, 16}, {50, 56}, {56, 56}, {96, 96}, {100, 104}};
    for (int[] c : cases) {
      assertEquals(c[1], CacheAligned.lineStride(c[0]), "lineStride(" + c[0] + ")");
    }
  }

  @Test
  void negativeSizesAreRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CacheAligned.newArray(-1));
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
  }
}

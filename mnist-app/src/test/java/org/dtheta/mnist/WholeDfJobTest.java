package org.dtheta.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Random;
import org.dtheta.nn.io.NpyReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer thread of a whole-Df job holds the panels handed to it: a buffer it gives back is
 * never one still being written, so a producer that overwrites each buffer at once (with NaNs
 * here) still leaves every panel's rows on disk, however many panels are in flight.
 */
class WholeDfJobTest {

  @TempDir Path tmp;

  private static WholeDfJob.Inputs inputs(int p, int panelRows) {
    return new WholeDfJob.Inputs("test", "test", "test", p, p, "hessian", "test", panelRows, 0,
        "test", 1, "0", "0");
  }

  @Test
  void exchangedAndCopiedPanelsAllReachTheFile() throws IOException {
    int p = 37;
    int panelRows = 3; // 13 panels, the last one short
    Random rnd = new Random(3);
    double[] matrix = new double[p * p];
    for (int i = 0; i < matrix.length; i++) {
      matrix[i] = rnd.nextGaussian();
    }
    Path out = tmp.resolve("D.npy");
    WholeDfJob job = WholeDfJob.start(out, inputs(p, panelRows),
        new PrintWriter(new StringWriter()));
    Map<double[], Boolean> handed = new IdentityHashMap<>();
    double[] buffer = new double[panelRows * p];
    for (int first = 0, n = 0; first < p; first += panelRows, n++) {
      int rows = Math.min(panelRows, p - first);
      System.arraycopy(matrix, first * p, buffer, 0, rows * p);
      if (n % 4 == 3) {
        job.accept(first, rows, buffer); // a copy: the caller keeps its buffer
      } else {
        handed.put(buffer, true);
        double[] next = job.exchange(first, rows, buffer);
        assertNotSame(buffer, next, "panel " + n + ": the buffer just handed over came back");
        buffer = next;
      }
      assertTrue(buffer.length >= panelRows * p);
      Arrays.fill(buffer, Double.NaN); // the producer refills at once
    }
    job.complete();
    assertFalse(handed.isEmpty());
    double[] written = new double[p * p];
    try (NpyReader reader = NpyReader.open(out)) {
      for (int r = 0; r < p; r++) {
        System.arraycopy(reader.readRow(r), 0, written, r * p, p);
      }
    }
    assertArrayEquals(matrix, written, 0.0);
    assertFalse(java.nio.file.Files.exists(WholeDfJob.recordFile(out)), "the record goes on completion");
  }
}

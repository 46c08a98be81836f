package org.dtheta.nn.structured;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dtheta.core.ProgressListener;
import org.dtheta.core.kernel.Parallel;
import org.dtheta.nn.Dataset;
import org.dtheta.nn.JacobianMethod;
import org.dtheta.nn.NetworkConfig;
import org.dtheta.nn.PanelSink;
import org.dtheta.nn.Presets;
import org.dtheta.nn.TwoLayerNet;
import org.dtheta.nn.UpdateMap;
import org.dtheta.nn.io.NpyMatrixWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dense Df written in two goes, rows {@code [0, R)} by one writer that is then abandoned
 * (with part of its next panel on disk, as a kill leaves it) and rows {@code [R, P)} by a
 * second one resuming the partial file, is byte for byte the file of one uninterrupted write:
 * for both methods and the Gauss-Newton variant, at every panel boundary R, with panel sizes
 * that do not divide P. The threads are those of the test JVM ({@code -Ddtheta.threads}).
 */
class ResumedPanelsTest {

  @TempDir Path dir;

  /** Thrown by the first writer's sink once it has written its rows: the "kill". */
  private static final class Stop extends RuntimeException {
    Stop() {
      super("stopped", null, false, false);
    }
  }

  private interface DenseWrite {
    void write(UpdateMap map, double[] theta, PanelSink sink, int panelRows,
        ProgressListener progress, int firstRow) throws IOException;
  }

  private static final DenseWrite STRUCTURED = (map, theta, sink, rows, progress, first) ->
      map.writeDense(theta, JacobianMethod.STRUCTURED, sink, rows, progress, first);
  private static final DenseWrite HVP = (map, theta, sink, rows, progress, first) ->
      map.writeDense(theta, JacobianMethod.HVP, sink, rows, progress, first);
  private static final DenseWrite GAUSS_NEWTON = (map, theta, sink, rows, progress, first) ->
      map.writeDenseGaussNewton(theta, sink, rows, progress, first);

  @Test
  void resumedWritesAreByteIdenticalAtEveryPanelBoundary() throws IOException {
    // P = (12 + 1) * 3 + (3 + 1) * 10 = 79, prime: no panel size divides it; the first layer
    // is rows [0, 39), so boundaries fall in both the Gram rows and the tail rows.
    NetworkConfig config = Presets.mnist().withInputs(12).withHidden(3);
    Random rnd = new Random(26);
    Dataset data = StructuredHessianPanelsTest.sparseData(rnd, config, 40, 0.3);
    double[] theta = StructuredHessianPanelsTest.randomTheta(rnd, config.layout(), 0.5);
    // 3 directions per sweep: panels of 7 or 10 rows take several batches, the last one short
    UpdateMap map = new UpdateMap(new TwoLayerNet(config, data), 3);
    int p = map.dimension();
    assertEquals(79, p);
    int checked = 0;
    for (DenseWrite method : List.of(STRUCTURED, HVP, GAUSS_NEWTON)) {
      for (int panelRows : new int[] {7, 10, 64}) {
        Path whole = dir.resolve("whole.npy");
        NpyMatrixWriter w = NpyMatrixWriter.create(whole, p, p);
        method.write(map, theta, w, panelRows, ProgressListener.NONE, 0);
        w.close();
        byte[] want = Files.readAllBytes(whole);
        for (int resumeAt = panelRows; resumeAt < p; resumeAt += panelRows) {
          Path out = dir.resolve("resumed-" + panelRows + "-" + resumeAt + ".npy");
          writeInTwoGoes(map, method, theta, out, panelRows, resumeAt);
          assertArrayEquals(want, Files.readAllBytes(out),
              "resumed at row " + resumeAt + " of " + p + ", panels of " + panelRows + ", "
                  + Parallel.threads() + " threads");
          checked++;
        }
      }
    }
    assertEquals(3 * (11 + 7 + 1), checked);
  }

  /** Rows [0, resumeAt) and half a panel more, abandoned; then a resumed writer from resumeAt. */
  private static void writeInTwoGoes(UpdateMap map, DenseWrite method, double[] theta, Path out,
      int panelRows, int resumeAt) throws IOException {
    int p = map.dimension();
    NpyMatrixWriter first = NpyMatrixWriter.create(out, p, p);
    PanelSink stopping = (row, rows, panel) -> {
      if (row >= resumeAt) {
        // a kill in the middle of the next panel's write: some of its bytes reach the file
        first.writeRows(row, Math.max(1, rows / 2), panel, 0);
        first.suspend();
        throw new Stop();
      }
      first.accept(row, rows, panel);
    };
    assertThrows(Stop.class,
        () -> method.write(map, theta, stopping, panelRows, ProgressListener.NONE, 0));
    NpyMatrixWriter second = NpyMatrixWriter.resume(out, p, p, resumeAt);
    List<Long> progress = new ArrayList<>();
    method.write(map, theta, second, panelRows, (done, total) -> progress.add(done), resumeAt);
    second.close();
    assertTrue(!progress.isEmpty() && progress.get(0) == Math.min(p, resumeAt + panelRows),
        "progress counts the resumed rows: " + progress);
    assertEquals(p, progress.get(progress.size() - 1));
  }

  @Test
  void aFirstRowOffThePanelBoundariesIsRefused() {
    NetworkConfig config = Presets.mnist().withInputs(12).withHidden(3);
    Random rnd = new Random(1);
    Dataset data = StructuredHessianPanelsTest.sparseData(rnd, config, 10, 0.3);
    double[] theta = StructuredHessianPanelsTest.randomTheta(rnd, config.layout(), 0.5);
    UpdateMap map = new UpdateMap(new TwoLayerNet(config, data), 3);
    PanelSink none = (row, rows, panel) -> {};
    for (DenseWrite method : List.of(STRUCTURED, HVP)) {
      assertThrows(IllegalArgumentException.class,
          () -> method.write(map, theta, none, 10, ProgressListener.NONE, 15));
      assertThrows(IllegalArgumentException.class,
          () -> method.write(map, theta, none, 10, ProgressListener.NONE, 80));
    }
  }

  @Test
  void writingFromTheLastRowSendsNothing() throws IOException {
    NetworkConfig config = Presets.mnist().withInputs(12).withHidden(3);
    Random rnd = new Random(2);
    Dataset data = StructuredHessianPanelsTest.sparseData(rnd, config, 10, 0.3);
    double[] theta = StructuredHessianPanelsTest.randomTheta(rnd, config.layout(), 0.5);
    UpdateMap map = new UpdateMap(new TwoLayerNet(config, data), 3);
    PanelSink fails = (row, rows, panel) -> {
      throw new AssertionError("no rows after the last");
    };
    for (DenseWrite method : List.of(STRUCTURED, HVP)) {
      method.write(map, theta, fails, 10, ProgressListener.NONE, map.dimension());
    }
  }
}

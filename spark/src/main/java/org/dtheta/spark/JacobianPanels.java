package org.dtheta.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.FileSystem;
import org.dtheta.core.ProgressListener;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.mnist.TrainedRun;
import org.dtheta.nn.Curvature;
import org.dtheta.nn.JacobianMethod;
import org.dtheta.nn.UpdateMap;

/**
 * The task side of {@code jacobians}: one chunk, a panel of whole rows of Df at one step,
 * computed by {@link UpdateMap#writeDense} from that panel's first row, as {@code dtheta
 * jacobian} computes it when its write reaches that row, then written as a Zarr chunk.
 *
 * @param run the run's folder, as the driver names it (for the cache key and messages)
 * @param config the run's config as JSON ({@link TrainedRun#configJson}): executors need not see
 *     the run's folder
 * @param p P, rows and columns of Df
 * @param rows rows per chunk (the panel size)
 * @param method the Hessian method, as {@code dtheta jacobian} chooses it by default
 * @param kernels the driver's kernel implementation, which every executor must use (bits differ
 *     between implementations)
 */
record JacobianPanels(String run, String config, int p, int rows, String method, String kernels)
    implements Serializable {

  /**
   * One chunk: rows {@code [index * rows, (index + 1) * rows)} of Df at {@code step}.
   *
   * @param step the saved step
   * @param index the chunk's row index in the Zarr array
   */
  record Chunk(int step, int index) implements Serializable {
    /** The chunk's file in the group: {@code step_<t>/<i>.0}. */
    String name() {
      return "step_" + step + "/" + index + ".0";
    }
  }

  /** Update maps built in this JVM, by run and data; a map is not thread-safe, so each task takes its own. */
  private static final Map<String, ArrayDeque<UpdateMap>> MAPS = new ConcurrentHashMap<>();

  /** Bytes of every chunk file: Zarr v2 stores edge chunks at full size, padded. */
  long chunkBytes() {
    return (long) rows * p * Double.BYTES;
  }

  /** The {@code .zarray} of each step's array. */
  Map<String, Object> zarray() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("zarr_format", 2);
    m.put("shape", List.of(p, p));
    m.put("chunks", List.of(rows, p));
    m.put("dtype", "<f8");
    m.put("compressor", null);
    m.put("fill_value", "NaN");
    m.put("order", "C");
    m.put("filters", null);
    m.put("dimension_separator", ".");
    return m;
  }

  /** Computes {@code chunk} at {@code theta} and writes it to {@code store}. */
  void write(Chunk chunk, double[] theta, MnistBytes mnist, HadoopFolder store) throws IOException {
    if (!Kernels.implementationName().equals(kernels)) {
      throw new IllegalStateException("this executor's kernels are " + Kernels.implementationName()
          + ", the driver's " + kernels + ": the rows would differ in the last bits; start the"
          + " executors with the same JDK and --add-modules=jdk.incubator.vector");
    }
    int first = chunk.index() * rows;
    int n = Math.min(rows, p - first);
    double[] panel = new double[n * p];
    UpdateMap map = borrow(mnist);
    try {
      map.writeDense(Curvature.HESSIAN, JacobianMethod.valueOf(method), theta,
          (from, count, values) -> {
            if (from != first || count != n) {
              throw new IllegalStateException("panel at row " + from + " of " + count + " rows, expected "
                  + first + " of " + n);
            }
            System.arraycopy(values, 0, panel, 0, n * p);
            throw new PanelDone(); // the writer goes on to P; this task needs only its panel
          }, rows, ProgressListener.NONE, first);
      throw new IllegalStateException("no panel at row " + first);
    } catch (PanelDone done) {
      // the panel is in hand
    } finally {
      giveBack(mnist, map);
    }
    try (FileSystem fs = store.fileSystem()) {
      store.write(fs, chunk.name(), littleEndian(panel, 0, n * p, rows * p));
    }
  }

  /** Ends a dense write once the task's panel has arrived (no stack trace: not an error). */
  private static final class PanelDone extends RuntimeException {
    PanelDone() {
      super(null, null, false, false);
    }
  }

  private UpdateMap borrow(MnistBytes mnist) throws IOException {
    ArrayDeque<UpdateMap> free = MAPS.computeIfAbsent(key(mnist), k -> new ArrayDeque<>());
    synchronized (free) {
      if (!free.isEmpty()) {
        return free.pop();
      }
    }
    return TrainedRun.updateMap(config, mnist.materialize());
  }

  private void giveBack(MnistBytes mnist, UpdateMap map) {
    ArrayDeque<UpdateMap> free = MAPS.get(key(mnist));
    synchronized (free) {
      free.push(map);
    }
  }

  private String key(MnistBytes mnist) {
    return config + "@" + mnist.sha256();
  }

  /**
   * {@code values[from, from + count)} as float64 little-endian bytes, followed by NaN up to
   * {@code total} values (the padding of an edge chunk, Zarr's fill value).
   */
  static byte[] littleEndian(double[] values, int from, int count, int total) {
    ByteBuffer b = ByteBuffer.allocate(total * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asDoubleBuffer().put(values, from, count);
    for (int i = count; i < total; i++) {
      b.putDouble(i * Double.BYTES, Double.NaN);
    }
    return b.array();
  }
}

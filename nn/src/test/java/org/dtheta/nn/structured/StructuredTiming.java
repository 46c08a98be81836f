package org.dtheta.nn.structured;

import java.util.Random;
import org.dtheta.core.Gradients;
import org.dtheta.core.Hessians;
import org.dtheta.core.Ops;
import org.dtheta.core.ProgressListener;
import org.dtheta.core.Tape;
import org.dtheta.core.Var;
import org.dtheta.core.kernel.CacheAligned;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.sparse.CsrMatrix;
import org.dtheta.core.sparse.SparseGram;
import org.dtheta.core.sparse.SparseKernels;
import org.dtheta.nn.Dataset;
import org.dtheta.nn.NetworkConfig;
import org.dtheta.nn.Presets;
import org.dtheta.nn.TwoLayerNet;

/**
 * A throwaway timing run (not a test, not a benchmark: the JMH module belongs elsewhere). Random
 * data of MNIST's shape and density. Usage: {@code ops K | gram K H STRIDE | full K H | top K H | xt K H}.
 */
public final class StructuredTiming {

  private StructuredTiming() {}

  /** Runs one timing, see the class comment; prints to standard output. */
  public static void main(String[] args) throws Exception {
    System.out.println("kernels " + Kernels.implementationName() + ", sparse "
        + SparseKernels.selected().name() + ", java " + System.getProperty("java.version"));
    int k = Integer.parseInt(args[1]);
    switch (args[0]) {
      case "ops" -> ops(k);
      case "gram" -> gram(k, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      case "full" -> full(k, Integer.parseInt(args[2]));
      case "lists" -> lists(k, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      case "top" -> top(k, Integer.parseInt(args[2]));
      case "xt" -> xt(k, Integer.parseInt(args[2]));
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  static Dataset data(int k, NetworkConfig c, long seed) {
    Random rnd = new Random(seed);
    double[] x = new double[k * c.inputs()];
    for (int i = 0; i < x.length; i++) {
      if (rnd.nextDouble() < 0.19) {
        x[i] = (1 + rnd.nextInt(255)) / 255.0;
      }
    }
    int[] labels = new int[k];
    for (int i = 0; i < k; i++) {
      labels[i] = rnd.nextInt(c.outputs());
    }
    return Dataset.ofLabels(x, labels, c.inputs(), c.outputs());
  }

  static double[] theta(NetworkConfig c, long seed) {
    Random rnd = new Random(seed);
    double[] t = new double[c.layout().size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = 0.05 * rnd.nextGaussian();
    }
    return t;
  }

  /** Gradient, HVP and H V (50 directions) with sparse and dense X, MNIST net. */
  static void ops(int k) {
    NetworkConfig c = Presets.mnist();
    Dataset d = data(k, c, 1);
    double[] th = theta(c, 2);
    CsrMatrix x = CsrMatrix.fromDense(d.x(), k, c.inputs());
    for (boolean sparse : new boolean[] {true, false}) {
      Tape t = new Tape();
      Var w1 = t.variable(c.inputs(), c.hidden());
      Var b1 = t.variable(1, c.hidden());
      Var w2 = t.variable(c.hidden(), c.outputs());
      Var b2 = t.variable(1, c.outputs());
      Var xw = sparse ? Ops.sparseMatmul(x, w1) : Ops.matmul(t.constant(d.x(), k, c.inputs()), w1);
      Var loss = TwoLayerNet.buildTop(t, c, Ops.addRowBroadcast(xw, b1), w2, b2,
          t.constant(d.targets(), k, c.outputs()));
      int p = t.parameterCount();
      double[] g = new double[p];
      double[] v = theta(c, 3);
      double[] hv = new double[p];
      int m = Integer.getInteger("m", 50);
      double[] vm = new double[p * m];
      System.arraycopy(new Random(4).doubles(vm.length).toArray(), 0, vm, 0, vm.length);
      double[] hvm = new double[p * m];
      for (int rep = 0; rep < 4; rep++) {
        double c0 = processCpuSeconds();
        long t0 = System.nanoTime();
        Gradients.valueAndGradient(loss, th, g);
        double c1 = processCpuSeconds();
        long t1 = System.nanoTime();
        Hessians.hessianVectorProduct(loss, th, v, g, hv);
        double c2 = processCpuSeconds();
        long t2 = System.nanoTime();
        Hessians.hessianMatrixProduct(loss, th, vm, m, null, hvm);
        double c3 = processCpuSeconds();
        long t3 = System.nanoTime();
        System.out.printf("%s k=%d: gradient %.3f s wall %.2f s CPU, HVP (with gradient) %.3f s wall"
                + " %.2f s CPU, H V (m=%d) %.3f s wall %.2f s CPU%n",
            sparse ? "sparse" : "dense ", k, (t1 - t0) * 1e-9, c1 - c0, (t2 - t1) * 1e-9, c2 - c1,
            m, (t3 - t2) * 1e-9, c3 - c2);
      }
    }
  }

  /** Gram slices with random packed features: time every stride-th pixel, extrapolate. */
  static void gram(int k, int h, int stride) {
    NetworkConfig c = Presets.mnist().withHidden(h);
    CsrMatrix xAug;
    String mnist = System.getProperty("mnist");
    if (mnist == null) {
      Dataset d = data(k, c, 1);
      xAug = CsrMatrix.fromDense(d.x(), k, c.inputs()).withConstantColumn(1.0);
    } else {
      // -Dmnist=train-images-idx3-ubyte: MNIST's images, pixels in the structured Hessian's order.
      byte[] raw;
      try {
        raw = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(mnist));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      int[] column = StructuredHessianPanels.gramOrder(c.inputs());
      int cols = c.inputs() + 1;
      double[] x = new double[k * cols];
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < c.inputs(); j++) {
          x[i * cols + column[j]] = (raw[16 + i * c.inputs() + j] & 0xff) / 255.0;
        }
        x[i * cols + column[c.inputs()]] = 1.0;
      }
      xAug = CsrMatrix.fromDense(x, k, cols);
    }
    int width = TopCurvature.packedWidth(h);
    double[] f = new Random(5).doubles((long) k * width).toArray();
    SparseGram gram = new SparseGram(xAug, f, width);
    SparseGram.Workspace ws = gram.newWorkspace();
    double[] out = new double[xAug.cols() * width];
    // -Dhalf=true: the symmetric caller's pattern, rows l < j skipped (rank = pixel index).
    boolean half = Boolean.getBoolean("half");
    int n = xAug.cols();
    int[] rank = new int[n];
    for (int l = 0; l < n; l++) {
      rank[l] = l;
    }
    long[] columnWork = new long[n];
    long totalWork = 0;
    for (int j = 0; j < n; j++) {
      columnWork[j] = gram.columnWork(j, rank, 0, half ? j : 0);
      totalWork += columnWork[j];
    }
    for (int rep = 0; rep < Integer.getInteger("reps", 2); rep++) {
      long work = 0;
      // CPU time of this thread: the machine is shared, wall time would measure the others.
      java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
      long t0 = bean.getCurrentThreadCpuTime();
      for (int j = 0; j < xAug.cols(); j += stride) {
        gram.column(j, ws, out, rank, 0, half ? j : 0);
        work += columnWork[j];
      }
      double s = (bean.getCurrentThreadCpuTime() - t0) * 1e-9;
      System.out.printf(
          "gram%s k=%d h=%d: %d of %d pixels, %.3e multiply-adds in %.2f s CPU = %.2f GFMA/s;"
              + " all pixels %.3e -> %.1f s CPU on 1 core%n",
          half ? " half" : "", k, h, (xAug.cols() + stride - 1) / stride, xAug.cols(), (double) work, s, work / s * 1e-9,
          (double) totalWork, totalWork / (work / s));
    }
  }

  /**
   * The Gram's inner kernel alone ({@link SparseKernels#gatherRowLists}): a packed panel of
   * {@code group} samples by {@code strip} columns, 785 rows lit with probability 0.19, repeated
   * {@code reps} times.
   */
  static void lists(int reps, int group, int strip) {
    int rows = 785;
    Random rnd = new Random(3);
    int[] start = new int[rows + 1];
    int[] index = new int[rows * group];
    double[] weight = new double[rows * group];
    int p = 0;
    for (int r = 0; r < rows; r++) {
      for (int u = 0; u < group; u++) {
        if (rnd.nextDouble() < 0.19) {
          index[p] = u;
          weight[p++] = rnd.nextDouble();
        }
      }
      start[r + 1] = p;
    }
    double[] panel = rnd.doubles((long) group * strip).toArray();
    double[] dst = new double[rows * strip];
    SparseKernels kernels = SparseKernels.selected();
    java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
    for (int round = 0; round < 3; round++) {
      long t0 = bean.getCurrentThreadCpuTime();
      for (int rep = 0; rep < reps; rep++) {
        if (Boolean.getBoolean("single")) {
          for (int r = 0; r < rows; r++) {
            kernels.gatherRows(strip, start[r + 1] - start[r], index, start[r], weight, start[r],
                panel, 0, strip, dst, r * strip, true);
          }
        } else {
          kernels.gatherRowLists(strip, rows, start, 0, index, weight, panel, dst, 0);
        }
      }
      double s = (bean.getCurrentThreadCpuTime() - t0) * 1e-9;
      double fma = (double) p * strip * reps;
      System.out.printf("lists group=%d strip=%d: %.2f GFMA/s (%.1f entries per row)%n", group,
          strip, fma / s * 1e-9, (double) p / rows);
    }
  }

  /** The whole Hessian written to a sink that only checksums it. */
  static double processCpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() * 1e-9;
  }

  static void full(int k, int h) throws Exception {
    NetworkConfig c = Presets.mnist().withHidden(h);
    Dataset d = data(k, c, 1);
    double[] th = theta(c, 2);
    double cpu0 = processCpuSeconds();
    long t0 = System.nanoTime();
    StructuredHessianPanels s = new StructuredHessianPanels(c, d);
    long t1 = System.nanoTime();
    int p = c.layout().size();
    double[] sum = {0};
    long[] firstPanel = {0};
    double[] cpuFirst = {0};
    s.write(th, (first, rows, panel) -> {
      if (firstPanel[0] == 0) {
        firstPanel[0] = System.nanoTime();
        cpuFirst[0] = processCpuSeconds();
      }
      for (int i = 0; i < rows * p; i += 97) {
        sum[0] += panel[i];
      }
    }, 500, ProgressListener.NONE);
    long t2 = System.nanoTime();
    System.out.printf("full k=%d h=%d P=%d: setup %.2f s, sweeps of the top until first panel %.2f s,"
            + " all panels %.2f s, total %.2f s (checksum %.6e)%n",
        k, h, p, (t1 - t0) * 1e-9, (firstPanel[0] - t1) * 1e-9, (t2 - firstPanel[0]) * 1e-9,
        (t2 - t0) * 1e-9, sum[0]);
    System.out.printf("  process CPU: until first panel %.1f s, panels %.1f s%n",
        cpuFirst[0] - cpu0, processCpuSeconds() - cpuFirst[0]);
  }

  /** TopCurvature's sweeps alone (curvature and tail columns), three times. */
  static void top(int k, int h) {
    NetworkConfig c = Presets.mnist().withHidden(h);
    Dataset d = data(k, c, 1);
    double[] th = theta(c, 2);
    CsrMatrix xAug = CsrMatrix.fromDense(d.x(), k, c.inputs()).withConstantColumn(1.0);
    TopCurvature top = new TopCurvature(c, d, xAug, 0, 0);
    int p = c.layout().size();
    double[] tailColumns = new double[p * top.tailWidth()];
    double[] packed = new double[k * TopCurvature.packedWidth(h)];
    for (int rep = 0; rep < 3; rep++) {
      double c0 = processCpuSeconds();
      long t0 = System.nanoTime();
      top.compute(th, tailColumns, packed);
      double sum = 0;
      for (int i = 0; i < tailColumns.length; i += 97) {
        sum += tailColumns[i];
      }
      System.out.printf("top k=%d h=%d: %.2f s wall, %.2f s process CPU (checksum %.9e, bits %08x %08x)%n",
          k, h, (System.nanoTime() - t0) * 1e-9, processCpuSeconds() - c0, sum,
          java.util.Arrays.hashCode(tailColumns), java.util.Arrays.hashCode(packed));
    }
  }

  /** The tail's X^T products alone: random tangents of 1024-row chunks, 64 directions. */
  static void xt(int k, int h) {
    NetworkConfig c = Presets.mnist().withHidden(h);
    Dataset d = data(k, c, 1);
    CsrMatrix xAug = CsrMatrix.fromDense(d.x(), k, c.inputs()).withConstantColumn(1.0);
    int m = 64;
    int chunk = TopCurvature.MAX_CHUNK_SAMPLES;
    int tail = 510;
    // from CacheAligned.START of an array longer than CacheAligned.MIN_DOUBLES, on a cache line
    double[] b = new Random(3).doubles(CacheAligned.START + (long) chunk * h * m).toArray();
    double[] out = new double[xAug.cols() * h * tail];
    for (int rep = 0; rep < 3; rep++) {
      double c0 = processCpuSeconds();
      long t0 = System.nanoTime();
      long fma = 0;
      for (int i0 = 0; i0 < k; i0 += chunk) {
        int rows = Math.min(chunk, k - i0);
        for (int d0 = 0; d0 + m <= tail; d0 += m) {
          xAug.multiplyTransposedSegmentsAdd(i0, i0 + rows, 0.5, b, CacheAligned.START, h, m, out, d0,
              tail);
          fma += (long) (xAug.rowStart(i0 + rows - 1) + xAug.rowLength(i0 + rows - 1)
              - xAug.rowStart(i0)) * h * m;
        }
      }
      double wall = (System.nanoTime() - t0) * 1e-9;
      double cpu = processCpuSeconds() - c0;
      System.out.printf("xt k=%d h=%d: %.3e multiply-adds, %.2f s wall, %.2f s CPU: %.1f GFMA/s"
          + " per CPU second%n", k, h, (double) fma, wall, cpu, fma / cpu * 1e-9);
    }
  }
}

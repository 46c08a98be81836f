package org.dtheta.benchmarks;

import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dtheta.core.kernel.Parallel;
import org.dtheta.core.sparse.CsrMatrix;
import org.dtheta.core.sparse.SparseGram;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.nn.Presets;
import org.dtheta.nn.structured.StructuredHessianPanels;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The kernel of the whole Df alone: {@link SparseGram} columns of the first-layer block on
 * random MNIST-like data ({@code k} = 60000 samples, 784 pixels and the bias, 19% lit; with
 * {@code data = mnist} the training images in the structured Hessian's column order) with
 * features as wide as the packed curvature of 50 hidden units (1280), sixteen pixels spread over
 * the image, on every core as the structured Hessian runs them. {@code rows = whole} computes
 * every row of each column, {@code rows = symmetric} only the pixels from the column's own on
 * (what the structured Hessian computes with pixel-pair symmetry). The multiply-adds of one
 * invocation are counted exactly in the set-up and reported as the secondary result
 * {@code multiplyAdds} (summed over the iteration, with {@code invocations}), so that the report
 * gives the kernel's FLOP rate against DGEMM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsPrepend = "--add-modules=jdk.incubator.vector")
public class GramBenchmark {

  private static final int PIXELS = 784;
  private static final int WIDTH = 1280;
  private static final int COLUMNS = 16;

  /** Samples. */
  @Param({"60000"})
  public int k;

  /**
   * {@code random}: independent pixels (the Gram's strips), or {@code mnist}: the images, pixels
   * in {@link StructuredHessianPanels#gramOrder} (its register tiles, as in the whole Df).
   */
  @Param({"random"})
  public String data;

  /** {@code whole} columns, or {@code symmetric}: rows from the column's own pixel on. */
  @Param({"whole", "symmetric"})
  public String rows;

  private SparseGram gram;
  private int[] columns;
  private int[] rank;
  private boolean symmetric;
  private long multiplyAddsPerCall;
  private SparseGram.Workspace[] workspaces;
  private double[][] slices;

  /** Data, features, the sampled columns and their exact work. */
  @Setup(Level.Trial)
  public void setUp() throws IOException, InterruptedException {
    Random rnd = new Random(11);
    int[] order = new int[PIXELS + 1];
    CsrMatrix x;
    switch (data) {
      case "random" -> {
        for (int j = 0; j <= PIXELS; j++) {
          order[j] = j;
        }
        x = CsrMatrix.fromDense(Mnist.randomLike(rnd, k, PIXELS, 10).x(), k, PIXELS)
            .withConstantColumn(1.0);
      }
      case "mnist" -> {
        order = StructuredHessianPanels.gramOrder(PIXELS);
        double[] images = NetProblem.samples(data, k, Presets.mnist(), rnd).x();
        double[] dense = new double[Math.multiplyExact(k, PIXELS + 1)];
        for (int i = 0; i < k; i++) {
          for (int j = 0; j < PIXELS; j++) {
            dense[i * (PIXELS + 1) + order[j]] = images[i * PIXELS + j];
          }
          dense[i * (PIXELS + 1) + order[PIXELS]] = 1.0;
        }
        x = CsrMatrix.fromDense(dense, k, PIXELS + 1);
      }
      default -> throw new IllegalArgumentException("-p data=" + data + ": expected random or mnist");
    }
    double[] features = NetProblem.gaussian(rnd, Math.multiplyExact(k, WIDTH), 1.0);
    gram = new SparseGram(x, features, WIDTH);
    symmetric = switch (rows) {
      case "whole" -> false;
      case "symmetric" -> true;
      default -> throw new IllegalArgumentException("-p rows=" + rows + ": expected whole or symmetric");
    };
    int n = PIXELS + 1;
    rank = new int[n];
    for (int j = 0; j < n; j++) {
      rank[j] = j;
    }
    columns = new int[COLUMNS];
    for (int c = 0; c < COLUMNS; c++) {
      columns[c] = order[c * (PIXELS / COLUMNS) + PIXELS / (2 * COLUMNS)];
    }
    multiplyAddsPerCall = 0;
    for (int j : columns) {
      multiplyAddsPerCall += gram.columnWork(j, rank, 0, symmetric ? j : 0);
    }
    int threads = Parallel.threads();
    workspaces = new SparseGram.Workspace[threads];
    slices = new double[threads][];
    for (int w = 0; w < threads; w++) {
      workspaces[w] = gram.newWorkspace();
      slices[w] = new double[n * WIDTH];
    }
    System.out.println("# gram: k " + k + ", data " + data + ", rows " + rows + ", threads " + threads
        + ", multiply-adds per call " + multiplyAddsPerCall);
  }

  /** The sixteen columns, shared by the cores as the structured Hessian shares pixels. */
  @Benchmark
  public double gramColumns(Work work) {
    AtomicInteger next = new AtomicInteger();
    int threads = workspaces.length;
    Parallel.forEachChunk(threads, w -> {
      for (int c = next.getAndIncrement(); c < COLUMNS; c = next.getAndIncrement()) {
        int j = columns[c];
        gram.column(j, workspaces[w], slices[w], rank, 0, symmetric ? j : 0);
      }
    });
    work.multiplyAdds += multiplyAddsPerCall;
    work.invocations++;
    return slices[0][slices[0].length - 1];
  }

  /** The work done in an iteration: the report divides one by the other. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Work {
    /** Multiply-adds of the calls of the current iteration. */
    public long multiplyAdds;
    /** Calls in the current iteration. */
    public long invocations;

    /** Starts the sums of an iteration from zero. */
    @Setup(Level.Iteration)
    public void reset() {
      multiplyAdds = 0;
      invocations = 0;
    }
  }
}

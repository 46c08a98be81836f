package org.dtheta.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training batch split into parts for the sweeps of a net of any depth: one memory budget
 * for the tangent buffers of a part, and each split recorded once, through the net's own
 * recorder, and kept for the most recent part sizes (the whole batch and one split), so that
 * products with many directions and evaluations without tangents do not re-record each other.
 *
 * @param <P> the net's recorded part
 */
final class BatchParts<P> {

  /** How many splittings of the batch are kept recorded (the whole batch and one by parts). */
  private static final int KEPT_SPLITTINGS = 2;

  /** Records one part of the batch. */
  @FunctionalInterface
  interface Recorder<P> {
    /**
     * The part over samples {@code [first, first + n)} of {@code batch} (all of it when {@code n}
     * is its {@code k}), its values evaluated at {@code theta} (null: at any point); the
     * recorder takes the rows it needs, so no part copies what it does not use.
     */
    P record(Dataset batch, int first, int n, double[] theta);
  }

  private final Dataset data;
  private final int width;
  private final int maxPartSamples;
  private final Recorder<P> recorder;
  /** Recorded splittings by samples per part, least recently used first. */
  private final Map<Integer, List<P>> splittings = new LinkedHashMap<>(4, 0.75f, true);

  /**
   * Parts of {@code data} for a net whose layers after the input have {@code width} units in
   * all, of at most {@code maxPartSamples} samples, recorded by {@code recorder}.
   */
  BatchParts(Dataset data, int width, int maxPartSamples, Recorder<P> recorder) {
    if (maxPartSamples < 1) {
      throw new IllegalArgumentException("samples per part must be >= 1, not " + maxPartSamples);
    }
    this.data = data;
    this.width = width;
    this.maxPartSamples = maxPartSamples;
    this.recorder = recorder;
  }

  /**
   * Samples per part for a sweep with {@code m} directions (0: values and adjoints only): the
   * whole batch unless the tangent buffers would exceed the {@link TangentBudget}: a sweep with
   * {@code m} directions takes about {@code 6 w m} doubles a sample, {@code w} the summed width
   * of the layers after the input.
   */
  int samplesPerPart(int m) {
    int fit = m > 0 ? TangentBudget.rowsPerPart(6L * width * m, data.k()) : data.k();
    return Math.min(fit, maxPartSamples);
  }

  /** The parts for sweeps with {@code m} directions, in sample order, recorded on first use. */
  List<P> parts(int m) {
    return parts(m, null);
  }

  /**
   * As {@link #parts(int)}, parts recorded now evaluated at {@code theta} (null: at any point):
   * recording evaluates every op once, so a sweep at {@code theta} that follows needs no
   * forward pass of its own.
   */
  List<P> parts(int m, double[] theta) {
    int size = samplesPerPart(m);
    List<P> parts = splittings.get(size);
    if (parts != null) {
      return parts;
    }
    int k = data.k();
    parts = new ArrayList<>();
    for (int first = 0; first < k; first += size) {
      int n = Math.min(size, k - first);
      parts.add(recorder.record(data, first, n, theta));
    }
    if (splittings.size() == KEPT_SPLITTINGS) {
      splittings.remove(splittings.keySet().iterator().next()); // the least recently used
    }
    splittings.put(size, parts);
    return parts;
  }

  /** Samples {@code [first, first + n)} of {@code d} (copies). */
  static Dataset slice(Dataset d, int first, int n) {
    return new Dataset(
        Arrays.copyOfRange(d.x(), first * d.inputs(), (first + n) * d.inputs()),
        Arrays.copyOfRange(d.targets(), first * d.outputs(), (first + n) * d.outputs()),
        n, d.inputs(), d.outputs());
  }
}

package org.dtheta.mnist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.dtheta.nn.io.FileFormatException;

/**
 * The per-step table of a training run, {@code metrics.csv}: one row per step {@code 0..T},
 * each measured at theta of that step. Numbers are written in Java's shortest round-trip form,
 * so a resumed run's file can be compared with an uninterrupted one's exactly.
 *
 * @param step steps
 * @param loss {@code L(theta_t)}
 * @param trainAccuracy fraction of the k training images classified right
 * @param testAccuracy fraction of the test images classified right
 * @param gradNorm {@code ||grad L(theta_t)||}
 * @param sharpness the largest eigenvalue of {@code Hess L(theta_t)} where measured ({@code train
 *     --sharpness-every}), NaN elsewhere and in files without the column
 * @param seconds training time (excluding loading) when the row was measured
 */
record Metrics(
    int[] step,
    double[] loss,
    double[] trainAccuracy,
    double[] testAccuracy,
    double[] gradNorm,
    double[] sharpness,
    double[] seconds) {

  static final String HEADER = "step,loss,train_accuracy,test_accuracy,grad_norm,seconds";

  /** The header of a run with {@code --sharpness-every}; seconds stay last (wall clock). */
  static final String HEADER_WITH_SHARPNESS =
      "step,loss,train_accuracy,test_accuracy,grad_norm,sharpness,seconds";

  /** The header of a run with or without the sharpness column. */
  static String header(boolean sharpness) {
    return sharpness ? HEADER_WITH_SHARPNESS : HEADER;
  }

  /** One CSV line (with its newline) of a run without the sharpness column. */
  static String line(int step, double loss, double trainAcc, double testAcc, double gradNorm,
      double seconds) {
    return line(step, loss, trainAcc, testAcc, gradNorm, null, seconds);
  }

  /**
   * One line of a run with the sharpness column: {@code sharpness} NaN leaves the field empty
   * (a step without a measurement).
   */
  static String line(int step, double loss, double trainAcc, double testAcc, double gradNorm,
      double sharpness, double seconds) {
    return line(step, loss, trainAcc, testAcc, gradNorm,
        Double.isNaN(sharpness) ? "" : Double.toString(sharpness), seconds);
  }

  private static String line(int step, double loss, double trainAcc, double testAcc,
      double gradNorm, String sharpnessField, double seconds) {
    return step + "," + loss + "," + trainAcc + "," + testAcc + "," + gradNorm + ","
        + (sharpnessField == null ? "" : sharpnessField + ",")
        + String.format(Locale.ROOT, "%.3f", seconds) + "\n";
  }

  /** Reads and validates {@code file}; errors name the file and line. */
  static Metrics read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    if (lines.isEmpty()
        || !(lines.get(0).equals(HEADER) || lines.get(0).equals(HEADER_WITH_SHARPNESS))) {
      throw new FileFormatException(file, "first line must be '" + HEADER + "' or '"
          + HEADER_WITH_SHARPNESS + "'");
    }
    boolean withSharpness = lines.get(0).equals(HEADER_WITH_SHARPNESS);
    int fields = withSharpness ? 7 : 6;
    int n = lines.size() - 1;
    Metrics m = new Metrics(new int[n], new double[n], new double[n], new double[n],
        new double[n], new double[n], new double[n]);
    for (int i = 0; i < n; i++) {
      String[] f = lines.get(i + 1).split(",", -1);
      if (f.length != fields) {
        throw new FileFormatException(file, "line " + (i + 2) + " has " + f.length + " fields, not "
            + fields);
      }
      try {
        m.step[i] = Integer.parseInt(f[0]);
        m.loss[i] = Double.parseDouble(f[1]);
        m.trainAccuracy[i] = Double.parseDouble(f[2]);
        m.testAccuracy[i] = Double.parseDouble(f[3]);
        m.gradNorm[i] = Double.parseDouble(f[4]);
        m.sharpness[i] = !withSharpness || f[5].isEmpty() ? Double.NaN : Double.parseDouble(f[5]);
        m.seconds[i] = Double.parseDouble(f[fields - 1]);
      } catch (NumberFormatException e) {
        throw new FileFormatException(file, "line " + (i + 2) + ": " + e.getMessage(), e);
      }
    }
    return m;
  }

  /** Steps as doubles, for plotting. */
  double[] steps() {
    double[] x = new double[step.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = step[i];
    }
    return x;
  }
}

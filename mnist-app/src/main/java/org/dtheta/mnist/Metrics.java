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
 * @param seconds training time (excluding loading) when the row was measured
 */
record Metrics(
    int[] step,
    double[] loss,
    double[] trainAccuracy,
    double[] testAccuracy,
    double[] gradNorm,
    double[] seconds) {

  static final String HEADER = "step,loss,train_accuracy,test_accuracy,grad_norm,seconds";

  /** One CSV line (with its newline). */
  static String line(int step, double loss, double trainAcc, double testAcc, double gradNorm,
      double seconds) {
    return step + "," + loss + "," + trainAcc + "," + testAcc + "," + gradNorm + ","
        + String.format(Locale.ROOT, "%.3f", seconds) + "\n";
  }

  /** Reads and validates {@code file}; errors name the file and line. */
  static Metrics read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
      throw new FileFormatException(file, "first line must be '" + HEADER + "'");
    }
    int n = lines.size() - 1;
    Metrics m = new Metrics(new int[n], new double[n], new double[n], new double[n],
        new double[n], new double[n]);
    for (int i = 0; i < n; i++) {
      String[] f = lines.get(i + 1).split(",", -1);
      if (f.length != 6) {
        throw new FileFormatException(file, "line " + (i + 2) + " has " + f.length + " fields, not 6");
      }
      try {
        m.step[i] = Integer.parseInt(f[0]);
        m.loss[i] = Double.parseDouble(f[1]);
        m.trainAccuracy[i] = Double.parseDouble(f[2]);
        m.testAccuracy[i] = Double.parseDouble(f[3]);
        m.gradNorm[i] = Double.parseDouble(f[4]);
        m.seconds[i] = Double.parseDouble(f[5]);
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

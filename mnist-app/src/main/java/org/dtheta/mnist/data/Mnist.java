package org.dtheta.mnist.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.dtheta.nn.Dataset;
import org.dtheta.nn.io.FileFormatException;

/**
 * MNIST as the network sees it (DESIGN.md section 2): one image per row of {@code X}, pixels
 * divided by 255, one-hot labels in {@code T}. The training set is the first {@code k} images in
 * file order; the test set is always complete.
 *
 * @param train the first {@code k} training images ({@code k x 784}) and their one-hot labels
 * @param test all test images and labels
 * @param files where they were read from
 */
public record Mnist(Dataset train, Dataset test, MnistFiles files) {

  /** Image side in pixels. */
  public static final int SIDE = 28;
  /** Pixels per image, the network's inputs. */
  public static final int PIXELS = SIDE * SIDE;
  /** Digit classes. */
  public static final int CLASSES = 10;

  /**
   * {@code k} random MNIST-like samples for work that needs no download (benchmarks, warming
   * up the kernels): each of {@code inputs} pixels lit with probability 0.19 (MNIST's density)
   * to a value in {@code {1/255, ..., 1}}, labels uniform over {@code classes}, drawn from
   * {@code rnd} in that order.
   */
  public static Dataset randomLike(Random rnd, int k, int inputs, int classes) {
    double[] x = new double[Math.multiplyExact(k, inputs)];
    for (int i = 0; i < x.length; i++) {
      if (rnd.nextDouble() < 0.19) {
        x[i] = (1 + rnd.nextInt(255)) / 255.0;
      }
    }
    int[] labels = new int[k];
    for (int i = 0; i < k; i++) {
      labels[i] = rnd.nextInt(classes);
    }
    return Dataset.ofLabels(x, labels, inputs, classes);
  }

  /**
   * {@code k} random images shaped like handwritten digits: a ring of lit pixels (radius 4 to 8,
   * about three pixels thick, centred within two pixels of the middle) on a {@code 28 x 28}
   * grid, so that neighbouring pixels and consecutive images are lit together as in MNIST (the
   * sparse kernels' paired and tiled paths take such data; independent pixels, as in {@link
   * #randomLike}, take others).
   */
  public static Dataset imageLike(Random rnd, int k, int classes) {
    double[] x = new double[Math.multiplyExact(k, PIXELS)];
    int[] labels = new int[k];
    for (int i = 0; i < k; i++) {
      double cy = 13.5 + 4 * rnd.nextDouble() - 2;
      double cx = 13.5 + 4 * rnd.nextDouble() - 2;
      double radius = 4 + 4 * rnd.nextDouble();
      for (int y = 0; y < SIDE; y++) {
        for (int xx = 0; xx < SIDE; xx++) {
          double d = Math.hypot(y - cy, xx - cx);
          if (d > radius - 2 && d < radius + 1) {
            x[i * PIXELS + y * SIDE + xx] = (1 + rnd.nextInt(255)) / 255.0;
          }
        }
      }
      labels[i] = rnd.nextInt(classes);
    }
    return Dataset.ofLabels(x, labels, PIXELS, classes);
  }

  /**
   * Loads MNIST from {@code dir} (any folder holding the four files, raw or {@code .gz}), with
   * the first {@code k} training images.
   */
  public static Mnist load(Path dir, int k) throws IOException {
    MnistFiles files = MnistFiles.in(dir);
    Dataset train = load(files.trainImages(), files.trainLabels(), k);
    Dataset test = load(files.testImages(), files.testLabels(), -1);
    return new Mnist(train, test, files);
  }

  /** The first {@code k} (all when negative) images and labels of a pair of files. */
  static Dataset load(Path imagesFile, Path labelsFile, int k) throws IOException {
    Idx.Images images = Idx.readImages(imagesFile, SIDE, SIDE);
    int[] labels = Idx.readLabels(labelsFile, CLASSES);
    if (labels.length != images.count()) {
      throw new FileFormatException(
          labelsFile, labels.length + " labels, but " + imagesFile + " has " + images.count() + " images");
    }
    int n = k < 0 ? images.count() : k;
    if (n < 1 || n > images.count()) {
      throw new IllegalArgumentException(
          "--k " + k + " must be in 1.." + images.count() + " (the images in " + imagesFile + ")");
    }
    double[] x = new double[n * PIXELS];
    byte[] pixels = images.pixels();
    for (int i = 0; i < x.length; i++) {
      x[i] = (pixels[i] & 0xFF) / 255.0;
    }
    return Dataset.ofLabels(x, n == labels.length ? labels : java.util.Arrays.copyOf(labels, n), PIXELS, CLASSES);
  }
}

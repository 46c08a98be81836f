package org.dtheta.mnist.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The four MNIST IDX files in a folder, found under their official names, raw or {@code .gz},
 * also with the {@code train-images.idx3-ubyte} spelling some mirrors use.
 *
 * @param trainImages training images (60000 in MNIST)
 * @param trainLabels training labels
 * @param testImages test images (10000 in MNIST)
 * @param testLabels test labels
 */
public record MnistFiles(Path trainImages, Path trainLabels, Path testImages, Path testLabels) {

  /** The official file names, in record order. */
  public static final List<String> NAMES =
      List.of(
          "train-images-idx3-ubyte",
          "train-labels-idx1-ubyte",
          "t10k-images-idx3-ubyte",
          "t10k-labels-idx1-ubyte");

  /** Finds the four files in {@code dir}; the error lists every missing one. */
  public static MnistFiles in(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "MNIST data folder does not exist");
    }
    List<Path> found = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String name : NAMES) {
      Path p = find(dir, name);
      if (p == null) {
        missing.add(name);
      }
      found.add(p);
    }
    if (!missing.isEmpty()) {
      throw new NoSuchFileException(
          dir.toString(), null,
          "MNIST data folder lacks " + String.join(", ", missing) + " (raw or .gz)");
    }
    return new MnistFiles(found.get(0), found.get(1), found.get(2), found.get(3));
  }

  /** True when {@code dir} holds all four files. */
  public static boolean presentIn(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    return NAMES.stream().allMatch(n -> find(dir, n) != null);
  }

  private static Path find(Path dir, String name) {
    String dotted = name.replace("-idx", ".idx");
    for (String candidate : new String[] {name, name + ".gz", dotted, dotted + ".gz"}) {
      Path p = dir.resolve(candidate);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }
}

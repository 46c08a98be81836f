package org.dtheta.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The CSV files dtheta writes (plain numbers and words, no quoting) read back, and quoting out. */
final class Csv {

  private Csv() {}

  /** The rows after the header, split at commas, fields as written (no number is re-printed). */
  static List<String[]> rows(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    List<String[]> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      if (!lines.get(i).isEmpty()) {
        rows.add(lines.get(i).split(",", -1));
      }
    }
    return rows;
  }

  /** A field quoted when it holds a comma (hidden widths such as 32,16). */
  static String quote(String field) {
    return field.contains(",") || field.contains("\"")
        ? "\"" + field.replace("\"", "\"\"") + "\"" : field;
  }
}

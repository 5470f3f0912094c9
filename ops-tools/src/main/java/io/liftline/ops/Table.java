package io.liftline.ops;

import io.liftline.model.RideJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rows of named columns, printed as an aligned text table or as JSON. */
final class Table {

    private final List<String> columns;
    private final List<Map<String, Object>> rows = new ArrayList<>();

    Table(String... columns) {
        this.columns = List.of(columns);
    }

    Table add(Object... values) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            row.put(columns.get(i), values[i]);
        }
        rows.add(row);
        return this;
    }

    List<Map<String, Object>> rows() {
        return rows;
    }

    String render(boolean json) {
        if (json) {
            try {
                return RideJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(rows);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        int[] widths = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            widths[i] = columns.get(i).length();
            for (Map<String, Object> row : rows) {
                widths[i] = Math.max(
                        widths[i], String.valueOf(row.get(columns.get(i))).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, widths, columns.stream().map(c -> (Object) c).toList());
        for (Map<String, Object> row : rows) {
            line(sb, widths, new ArrayList<>(row.values()));
        }
        if (rows.isEmpty()) {
            sb.append("(none)\n");
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, int[] widths, List<Object> values) {
        for (int i = 0; i < widths.length; i++) {
            String v = String.valueOf(values.get(i));
            boolean number = values.get(i) instanceof Number;
            String pad = " ".repeat(widths[i] - v.length());
            sb.append(number ? pad + v : v + pad).append(i + 1 < widths.length ? "  " : "\n");
        }
    }
}

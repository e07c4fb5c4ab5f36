package com.example.grades;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

public class GradeBook {
    private final Map<String, List<Integer>> scores = new TreeMap<>();

    public void record(String student, List<Integer> marks) {
        scores.put(student, marks);
    }

    public Map<String, String> letters() {
        Map<String, String> result = new TreeMap<>();
        for (Map.Entry<String, List<Integer>> entry : scores.entrySet()) {
            List<Integer> marks = entry.getValue();
            if (!marks.isEmpty()) {
                double avg = marks.stream().mapToInt(Integer::intValue).average().orElse(0);
                if (avg >= 90) {
                    result.put(entry.getKey(), "A");
                } else if (avg >= 75) {
                    result.put(entry.getKey(), "B");
                } else {
                    result.put(entry.getKey(), "C");
                }
            }
        }
        return result;
    }
}

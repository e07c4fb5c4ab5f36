require "csv"

module Reports
  class SalesReport
    def initialize(path)
      @path = path
    end

    def rows
      CSV.read(@path, headers: true)
    end

    def total_by_region
      totals = Hash.new(0)
      rows.each do |row|
        totals[row["region"]] += row["amount"].to_i
      end
      totals
    end

    def to_s
      total_by_region.map { |region, total| "#{region}: #{total}" }.join("\n")
    end
  end
end
